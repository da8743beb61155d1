# list, then an operator opt-out given with spaces and a '+' for a number
# Infobip wrote without one: recorded in the gateway's form, and its
# pending reply cancelled.
backtalk optouts --db "$DB"
backtalk optouts list --db "$DB" --show-numbers
backtalk optouts --db "$DB" add "+44 7700 900123"
backtalk optouts --db "$DB" add 447700900123
backtalk optouts --db "$DB" --show-numbers list | mask
backtalk history --db "$DB" --no-bodies 447700900123
backtalk status --db "$DB" | grep -E 'outbox|opted'
backtalk optouts --db "$DB" remove +447700900123
backtalk optouts --db "$DB" remove +447700900123
backtalk optouts --db "$DB" add +15559990000
backtalk optouts --db "$DB" add not-a-number
backtalk optouts --db "$DB" delete +15551230001
backtalk optouts --db "$DB" list | mask
