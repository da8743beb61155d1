backtalk history --db "$DB" +15551230002
backtalk history --db "$DB" "+44 7700 900123"
backtalk history --db "$DB" +15550000000
backtalk history --db "$DB"
# A number without + has no country code unless the configuration gives
# a default country; with one, it is read as dialled there, and a number
# that cannot be one there is refused.
backtalk history --db "$DB" --no-bodies --show-numbers 15551230001
us_config
backtalk history --config "$DB.us.conf" --no-bodies --show-numbers "(555) 123-0001"
backtalk history --config "$DB.us.conf" --no-bodies 1-555-123-0001 | head -n 2
backtalk history --config "$DB.us.conf" "011 44 7700 900123" | head -n 1
backtalk history --config "$DB.us.conf" 447700900123
# Times are UTC unless --local-time asks for the local zone, with its
# offset.
backtalk history --db "$DB" --no-bodies +15551230002 | head -n 2
(TZ=America/New_York; export TZ; backtalk history --db "$DB" --local-time --no-bodies +15551230002 | head -n 2)
# Conversations: each step after the message (or the check-in) that made
# it, with the question it asked or answered and the option chosen.
mkstate convo
backtalk history --db "$DB" +15551230004
backtalk history --db "$DB" +15551230005
backtalk history --db "$DB" --no-bodies +15551230005 | tail -n 4
