"""Satchel's verifier service: the employer's side.

VC-API verification endpoints, verify-by-upload/paste/URL, verification requests
answered by wallets over OpenID4VP or a VC-API exchange, and signed receipts. Every
rule about credentials lives in ``shared``; this package routes, stores and limits.
"""
