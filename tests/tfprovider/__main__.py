"""``python -m tfprovider --cache DIR``: serve the test provider (Terraform starts this)."""

from .server import main

main()
