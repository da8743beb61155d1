# Finding the database: from a configuration, and the errors that say
# what to do next.
cat >"$DB.conf" <<CONF
gateway = { driver = "console"; };
state = "$DB";
rules = "$PWD/rules-new.conf";
CONF
backtalk replay --config "$DB.conf" | tail -n 2
backtalk status --db "$DB.missing" | sed "s|$DB|DB|g"
backtalk status --config "$DB.conf.missing" | sed "s|$DB|DB|g"
backtalk status --db "$DB.conf" | sed "s|$DB|DB|g"
# --instance NAME reads the configuration of backtalkd@NAME; a name with a
# slash or a leading dot is refused.
backtalk status --instance no-such-instance-here
backtalk status --instance ../etc
