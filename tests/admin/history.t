backtalk history --db "$DB" +15551230002
backtalk history --db "$DB" --no-bodies --show-numbers 15551230001
backtalk history --db "$DB" "+44 7700 900123"
backtalk history --db "$DB" +15550000000
backtalk history --db "$DB"
