# Sourced by bin/unique-users and bin/ingest after examples-jar.sh: sets the array $cds_opts, the JVM options that load
# the program's classes from a class-data archive (AppCDS, Java 13+: -XX:ArchiveClassesAtExit / -XX:SharedArchiveFile),
# which cuts the JVM's start: classes are mapped already parsed and verified, and the lambdas of start-up are not spun
# again (about 1 CPU-second of a run: class loading, and the JIT time spent compiling the class-file writer).
#
# The archive is the program's own first run, dumped at its exit: a run without an archive (or with one older than
# the jar or a jar it depends on) writes "<name>-<jvm>.<pid>.jsa" beside the jar. A half-written archive crashes the
# JVM that maps it, so it is used only after a later start finds its writer gone and checks it: it maps with
# -Xshare:on, for this jar and this java, and holds $cds_marker (the run reached the real work, rather than stopping
# at a bad flag). Then it becomes "<name>-<jvm>.jsa" and every run uses it. An archive belongs to one java binary
# (<jvm> names it), so another JDK trains its own; a JVM that cannot use one falls back to loading classes as usual,
# silently. --help and --version runs load too little to be worth an archive, and a run that could not write one
# (a folder it may not write) fails at its exit, so neither trains.
#
# Needs: $jar; $cds_name, the program's name; $cds_marker, a class every real run loads ("a/b/C"); the array
# $cds_check, the java arguments after the JVM options that print the program's version; the program's arguments
# as "$@". FLUXGATE_CDS=off turns it off.
cds_opts=()
if [ "${FLUXGATE_CDS:-on}" != off ]; then
  cds_java="$(command -v java)"
  cds_java="$(readlink -f "$cds_java" 2>/dev/null || echo "$cds_java")"
  cds_jvm="$( (echo "$cds_java"; stat -c %Y "$cds_java" 2>/dev/null) | cksum | cut -d' ' -f1)"
  cds_base="$(dirname "$jar")/$cds_name-$cds_jvm"
  cds_archive="$cds_base.jsa"
  cds_opts=(-Xlog:cds=off -Xlog:cds+dynamic=off)
  # newer than the archive: the jar, or a jar of its class path (the manifest's lib/)
  cds_stale() { [ -n "$(find "$jar" "$(dirname "$jar")/lib" -newer "$1" -print -quit 2>/dev/null)" ]; }
  for cds_trained in "$cds_base".*.jsa; do
    [ -f "$cds_trained" ] || continue
    cds_pid="${cds_trained%.jsa}"
    cds_pid="${cds_pid##*.}"
    case "$cds_pid" in *[!0-9]*|'') continue ;; esac
    kill -0 "$cds_pid" 2>/dev/null && continue # still running: it writes the archive at its exit
    if ! cds_stale "$cds_trained" \
        && grep -qa "$cds_marker" "$cds_trained" \
        && java -Xshare:on -XX:SharedArchiveFile="$cds_trained" -XX:ErrorFile=/dev/null -Xlog:disable \
             "${cds_check[@]}" >/dev/null 2>&1; then
      mv -f "$cds_trained" "$cds_archive"
    else
      rm -f "$cds_trained"
    fi
  done
  if [ -f "$cds_archive" ] && ! cds_stale "$cds_archive"; then
    cds_opts+=("-XX:SharedArchiveFile=$cds_archive")
  elif [ -w "$(dirname "$jar")" ]; then
    case " $* " in
      *" -h "*|*" --help "*|*" -V "*|*" --version "*) ;;
      *) cds_opts+=("-XX:ArchiveClassesAtExit=$cds_base.$$.jsa") ;;
    esac
  fi
fi
