# Against the rules the records were decided with nothing changes (exit
# 0); against rules-new.conf three decisions do (exit 1).
backtalk replay --db "$DB" --rules rules.conf
backtalk replay --db "$DB" --rules rules-new.conf
backtalk replay --db "$DB" --rules rules-new.conf --since 2026-11-20 --limit 1
backtalk replay --db "$DB" --rules missing.conf
backtalk replay --db "$DB" --limit 0
