# Against the rules the records were decided with nothing changes (exit
# 0); against rules-new.conf three messages would change, one a red-flag
# decision (exit 7).
backtalk replay --db "$DB" --rules rules.conf
backtalk replay --db "$DB" --rules rules-new.conf
backtalk replay --db "$DB" --rules rules-new.conf --since 2026-11-20 --limit 1
backtalk replay --db "$DB" --rules missing.conf
backtalk replay --db "$DB" --limit 0
# The same as one JSON object; the exit status says a red-flag decision
# would change (7).
backtalk replay --db "$DB" --rules rules-new.conf --json
# Only a reply text edited: the old and new texts, and exit 1.
sed 's/Try cat-cow\./Try cat-cow, slowly./' rules.conf >"$DB.texts.conf"
backtalk replay --db "$DB" --rules "$DB.texts.conf" | sed "s|$DB|DB|"
# A decision changed (a topic), none a red flag: exit 6.
sed 's/topic = "stretch"/topic = "recovery"/' rules.conf >"$DB.topic.conf"
backtalk replay --db "$DB" --rules "$DB.topic.conf" | sed "s|$DB|DB|"
