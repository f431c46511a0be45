"""What every Satchel service shares that is not a rule about credentials.

Settings and secrets (``settings``), the SQLite database with per-service
migrations (``storage``) and private keys encrypted at rest (``keywrap``).
No web framework here: the services and the composition root (``pwa.app``)
build on these.
"""
