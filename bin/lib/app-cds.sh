# Sourced by bin/unique-users after examples-jar.sh: sets the array $cds_opts, the JVM options that load the app's
# classes from a class-data archive (AppCDS, Java 13+: -XX:ArchiveClassesAtExit / -XX:SharedArchiveFile), which cuts
# the JVM's start: classes are mapped already parsed and verified, and the lambdas of start-up are not spun again
# (about 1 CPU-second of a run: class loading, and the JIT time spent compiling the class-file writer).
#
# The archive is the app's own first run, dumped at its exit: a run without an archive (or with one older than the
# jar) writes "$jar.<pid>.jsa". A half-written archive crashes the JVM that maps it, so it is used only after a later
# start finds its writer gone and checks it: it maps with -Xshare:on, for this jar, and holds the Kafka client (the
# run reached the pipeline, rather than stopping at a bad flag). Then it becomes "$jar.jsa" and every run uses it.
# A rebuilt jar makes it stale (a new one is trained); a JVM that cannot use it falls back to loading classes as
# usual, silently. Needs $jar. FLUXGATE_CDS=off turns it off.
cds_opts=()
if [ "${FLUXGATE_CDS:-on}" != off ]; then
  cds_archive="${jar%.jar}.jsa"
  cds_opts=(-Xlog:cds=off -Xlog:cds+dynamic=off)
  for cds_trained in "${jar%.jar}".*.jsa; do
    [ -f "$cds_trained" ] || continue
    cds_pid="${cds_trained%.jsa}"
    cds_pid="${cds_pid##*.}"
    case "$cds_pid" in *[!0-9]*|'') continue ;; esac
    kill -0 "$cds_pid" 2>/dev/null && continue # still running: it writes the archive at its exit
    if [ "$cds_trained" -nt "$jar" ] \
        && grep -qa 'org/apache/kafka/clients/consumer/KafkaConsumer' "$cds_trained" \
        && java -Xshare:on -XX:SharedArchiveFile="$cds_trained" -XX:ErrorFile=/dev/null -Xlog:disable \
             -jar "$jar" --version >/dev/null 2>&1; then
      mv -f "$cds_trained" "$cds_archive"
    else
      rm -f "$cds_trained"
    fi
  done
  if [ -f "$cds_archive" ] && [ "$cds_archive" -nt "$jar" ]; then
    cds_opts+=("-XX:SharedArchiveFile=$cds_archive")
  elif [ -w "$(dirname "$jar")" ]; then # a JVM that cannot write its archive fails the run at its exit
    case " $* " in
      *" -h "*|*" --help "*|*" -V "*|*" --version "*) ;; # loads too little to be worth an archive
      *) cds_opts+=("-XX:ArchiveClassesAtExit=${jar%.jar}.$$.jsa") ;;
    esac
  fi
fi
