"""STUB of langchain_core for Sandpool's client test; not the real package."""
