"""Certificates (DESIGN.md lifecycle step 7): numbers, versions, issuance runs."""
