"""Organisers and peer mentors: units, scoped roles, reports against targets, nudges.

Domain logic only (no transport): the chat flows live in :mod:`hocvuso.chat.flows.staff`, the
command line in :mod:`hocvuso.cli.organising`. Naming: ``access_*`` fetches with a permission
check, ``check_*`` validates, ``do_*`` changes state; refusals are :class:`errors.StaffError`.
"""
