# list, then an operator opt-out given with spaces and a '+' for a number
# Infobip wrote without one: recorded in the gateway's form, and its
# pending reply cancelled.
backtalk optouts --db "$DB"
backtalk optouts list --db "$DB" --show-numbers
backtalk optouts --db "$DB" add "+44 7700 900123"
backtalk optouts --db "$DB" add +447700900123
backtalk optouts --db "$DB" --show-numbers list | mask
backtalk history --db "$DB" --no-bodies +447700900123
backtalk status --db "$DB" | grep -E 'outbox|opted'
backtalk optouts --db "$DB" remove +447700900123
backtalk optouts --db "$DB" remove +447700900123
backtalk optouts --db "$DB" add +15559990000
backtalk optouts --db "$DB" add not-a-number
backtalk optouts --db "$DB" delete +15551230001
backtalk optouts --db "$DB" list | mask
# A US number typed without +1: refused without a default country, and
# with numbers.default_country = "US" recorded as +15550007778, the form
# the gateway gives it, so a later text from it is not answered.
backtalk optouts --db "$DB" add 5550007778
us_config
backtalk optouts --config "$DB.us.conf" add 5550007778
backtalk optouts --config "$DB.us.conf" add "+1 555 000 7778"
backtalk optouts --config "$DB.us.conf" --show-numbers list | grep -E "7778|opted out$" | mask
backtalk optouts --config "$DB.us.conf" add 447700900123
