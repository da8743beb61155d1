# Text that came from outside is escaped before it reaches the terminal: a
# gateway's id carrying a newline, ESC [2J and a bidi override (it used to
# clear the screen), a body with ESC, a C1 control (NEL) and U+202E, a
# gateway's error with CSI (a C1 control) and an isolate (U+2067).
mkstate "$(date +%s)"
sqlite3 "$DB" "
UPDATE inbound SET id = 'SMa2' || char(10, 27) || '[2J' || char(8238) || 'x'
 WHERE id = 'SMa2';
UPDATE outbox SET inbound_id = 'SMa2' || char(10, 27) || '[2J' || char(8238) || 'x'
 WHERE inbound_id = 'SMa2';
UPDATE inbound SET body = 'any' || char(27) || '[31m' || char(133) ||
 'stretches' || char(8238) || '?' || char(9, 13) WHERE id = 'SMa3';
UPDATE outbox SET error = 'carrier' || char(155) || 'filtered' || char(8295),
 error_code = '300' || char(127) || '07' WHERE id IN (4, 5);
UPDATE optouts SET source = 'sms' || char(27) || ']0;t' || char(7);
" || exit 2
backtalk replay --db "$DB" --rules rules-new.conf
backtalk history --db "$DB" +15551230001 | mask
backtalk history --db "$DB" +15551230002 | mask
backtalk status --db "$DB" | grep "reply 5" | mask
backtalk optouts --db "$DB" | mask
