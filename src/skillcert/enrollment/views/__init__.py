"""Enrollment pages, one module per area: applications.py (applying, evidence, pledge,
review), persons.py (a person's records), officials.py (spot checks, the student
registry and the cross-check), documents.py (seats and sign-in sheets), roster.py
(the Excel roster import)."""
