"""Every write in batches: the plan (rooms, batches, sessions, staffing) in ``plan`` and
its workflow (filing, the centre's decision, enrollment, sessions) in ``workflow``.
Import from the submodule that holds the service."""
