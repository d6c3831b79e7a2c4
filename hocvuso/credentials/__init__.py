"""Verifiable certificates: Open Badges 3.0 credentials signed with Data Integrity proofs.

Pure and offline: JSON-LD contexts ship with the package (:mod:`.documents`), keys come from a file
or the environment (:mod:`.keys`). What a certificate says is built in ``hocvuso.learning``.
"""
