"""STUB of azure.core for Sandpool's client test; not the real package."""
