"""Provider adapters: one request per call, errors classified, no retries (the wrapper owns those)."""
