"""What `chanwarden` exits with, the same for every command, so that a script or a supervisor can tell a check
that failed from a mistake to fix and from a service to wait for. docs/operations.md has the table by command."""

from entrypoints.startup import LEASE_LOST_EXIT

OK = 0
FAILED = 1  # the command ran and found something wrong: an expectation, a log that does not verify, nothing to do
USAGE = 2  # the command line or a setting is wrong: fix it and run the command again
LEASE_LOST = LEASE_LOST_EXIT  # `run` lost its store's lease: its supervisor starts it again, as a standby
UNREACHABLE = 4  # the event store or Redis did not answer or refused the login: run it again once it answers
