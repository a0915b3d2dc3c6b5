"""Every write of the enrollment app (DESIGN.md lifecycle step 3), one module per area:

``persons`` (persons and their records), ``applications`` (the 申报表, evidence, pledge,
submission), ``review`` (the institution's review, one by one and in bulk),
``spotchecks`` (the authority's random checks) and ``registry`` (the education
department's student registry and the cross-check against it).
"""
