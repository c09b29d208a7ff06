"""Reusable loopback test servers (127.0.0.1 only): see ``provider_server``."""
