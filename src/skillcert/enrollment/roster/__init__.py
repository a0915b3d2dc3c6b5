"""Roster import (报名名册): template, parsing, validation, commit and the error report.

DESIGN.md lifecycle step 3: the whole file is validated first, every bad cell is
reported (row, column, reason; downloadable as an annotated .xlsx), and nothing is
written unless the file is clean.

* ``columns``   the sheet's columns, lists and names
* ``template``  the .xlsx template of a batch
* ``parse``     recognising the file and reading rows with python-calamine
* ``validate``  every check, with every error collected (the rules are listed there)
* ``commit``    writing a clean roster in one transaction
* ``annotate``  the uploaded workbook with the bad cells marked
* ``importer``  who may import, and the flow the task and the command share
* ``export``    the batch's applications as Excel, masked
"""
