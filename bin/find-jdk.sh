# Sourced by ./mvnw, ./livepeer and .ci/run. Sets JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME if new enough, then `java` on PATH, then the usual install folders.
# Why: the machines this project runs on often have an older default java beside a newer one.

jlp_java_major() { # $1 = path to a java binary; prints its feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

jlp_find_jdk() {
  local min=21 candidate major
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$d" ] && candidates+=("$d")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(jlp_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "error: no JDK $min or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  echo "       Install a JDK 21+ (for example Temurin) and set JAVA_HOME to it." >&2
  return 1
}
