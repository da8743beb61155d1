# status on a database written just now: ages are stable, dates masked.
mkstate "$(date +%s)"
backtalk status --db "$DB" | mask | sed "s|$DB|DB|"
backtalk status --db "$DB" --show-numbers | grep "reply 5" | mask
backtalk status --db "$DB" extra
