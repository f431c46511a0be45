"""The sandbox issuer for demos and tests."""
