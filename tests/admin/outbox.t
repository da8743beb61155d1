# The replies, newest first; by state and by number.
backtalk outbox --db "$DB" list
backtalk outbox --db "$DB" --show-numbers list --state failed
backtalk outbox --db "$DB" list --number +15551230001 --limit 2
# A failed reply to a number that opted out is not sent again; once the
# number opts back in it is: pending, attempts counted afresh.  One whose
# text retention deleted cannot be.
backtalk outbox --db "$DB" retry 5
backtalk optouts --db "$DB" remove +15551230002
backtalk outbox --db "$DB" retry --state failed
backtalk outbox --db "$DB" list --limit 4
# What cannot be retried: a sent reply, a reply that is not there.
backtalk outbox --db "$DB" retry 1 99
# Cancelling every pending reply to a number; then none is left.
backtalk outbox --db "$DB" cancel --number +15551230001
backtalk outbox --db "$DB" cancel --number +15551230001
backtalk outbox --db "$DB" list --state cancelled
# Bad command lines.
backtalk outbox --db "$DB" retry
backtalk outbox --db "$DB" retry 5 --state failed
backtalk outbox --db "$DB" cancel x
backtalk outbox --db "$DB" list --state lost
