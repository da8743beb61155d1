backtalk stats --db "$DB" --since 2026-11-13
backtalk stats --db "$DB" --json --since 2026-11-13
backtalk stats --db "$DB" --json | grep -A1 '"name": "fallback"'
backtalk stats --db "$DB" --since yesterday
