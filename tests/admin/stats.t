backtalk stats --db "$DB" --since 2026-11-13
backtalk stats --db "$DB" --json --since 2026-11-13
backtalk stats --db "$DB" --json | grep -A1 '"name": "fallback"'
backtalk stats --db "$DB" --since yesterday
# Conversations, when any ran: by conversation, and how check-ins ended
# (the five always, with zeros).  A period without them shows none.
mkstate convo
backtalk stats --db "$DB" --since 2026-11-13 | sed -n '/^Conversations/,$p'
backtalk stats --db "$DB" --json --since 2026-11-13 | sed -n '/"conversations"/,$p'
backtalk stats --db "$DB" --since 1d | grep -c -e Conversations -e "Check-in"
backtalk stats --db "$DB" --json --since 1d | sed -n '/"conversations"/,$p'
