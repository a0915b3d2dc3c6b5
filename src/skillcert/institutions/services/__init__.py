"""Every write in institutions: registry (institution, sites, staff), filing workflow,
directory lifecycle. Import from the submodule that holds the service."""
