"""Item exchange formats: the Excel template and QTI 3.0 item XML."""
