"""The warning queue across nights (docs/DESIGN.md step 5): the merge that carries deadlines and outcomes."""
