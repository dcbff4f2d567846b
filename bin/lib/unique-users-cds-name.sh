# Sourced by bin/unique-users before app-cds.sh: sets $cds_name from the app's arguments ("$@"), one class-data archive
# per counting mode. An archive holds only the classes its training run loaded, so an approximate run started from
# the exact run's archive loaded DataSketches' classes from the jar, parsed and verified again, at every start (#20).
# Reads --mode the way the app does (--mode X or --mode=X, the last one counts, "approx" and any case accepted); a
# value the app refuses picks the exact archive, and the app stops before it trains anything.
cds_name=unique-users
cds_mode=exact
cds_prev=
for cds_arg in "$@"; do
  case "$cds_arg" in --mode=*) cds_mode="${cds_arg#--mode=}" ;; esac
  if [ "$cds_prev" = --mode ]; then cds_mode="$cds_arg"; fi
  cds_prev="$cds_arg"
done
case "$(printf '%s' "$cds_mode" | tr '[:upper:]' '[:lower:]')" in
  approximate|approx) cds_name=unique-users-approximate ;;
esac
