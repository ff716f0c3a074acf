"""STUB of the azure namespace for Sandpool's client test; not the real package."""
