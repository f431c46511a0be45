"""The employer's verifier service."""
