"""Shared plumbing for the lake harness: the ``lake`` command, the Terraform runner, the local AWS endpoint.

The harness works on the checkout it is run in: its paths come from :mod:`lake.workspace`, never from where this
package is installed.
"""
