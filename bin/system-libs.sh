# Sourced by ./livepeer and .ci/run: the system libraries that the bundled FFmpeg needs. That is the
# ffmpeg/ffprobe programs and the JNI libraries from bytedeco's ffmpeg jar, which JavaCPP extracts to
# ~/.javacpp/cache/<jar>/org/bytedeco/ffmpeg/<platform>/. It finds the missing ones, then installs
# them (root with apt-get) or prints the install command.
# Why: the jar ships FFmpeg and libva/libdrm but links libpulse, ALSA and xcb from the system. On a
# minimal server the in-process transcoder then dies at its first segment ("libjniavdevice.so:
# libpulse.so.0: cannot open shared object file") rather than when the node starts.
#
# Environment:
#   LIVEPEER_SYSTEM_LIBS_CHECK=0                 skip the check (libraries in places ldd/ldconfig do not see)
#   LIVEPEER_SYSTEM_LIBS_ASSUME_MISSING="a b"    report these sonames as missing (to try the message);
#                                                nothing is installed then, even as root

# The sonames the bundle needs from the system, from `LD_LIBRARY_PATH=<bundle dir> ldd` on the
# programs and JNI libraries of ffmpeg 8.0.1-1.5.13 linux-x86_64-gpl. Only their direct needs are
# listed: the packages bring their own dependencies. This list is used until the bundle has been
# extracted (first use, and CI before the build); after that ldd on the extracted files decides.
# libva, libva-drm and libdrm come in the bundle too: before it is there the list errs on the safe side.
JLP_SYSTEM_LIBS="libpulse.so.0 libasound.so.2 libxcb.so.1 libxcb-shm.so.0 libva.so.2 libva-drm.so.2 libdrm.so.2 libstdc++.so.6 libgcc_s.so.1"

jlp_lib_package() { # $1 = distro family (debian|fedora), $2 = soname; prints the package, or nothing if unknown
  case "$1:$2" in
    debian:libpulse.so.0) echo libpulse0 ;;
    debian:libasound.so.2) echo libasound2 ;; # t64 releases (Ubuntu 24.04, Debian 13): apt picks libasound2t64
    debian:libxcb.so.1) echo libxcb1 ;;
    debian:libxcb-shm.so.0) echo libxcb-shm0 ;;
    debian:libva.so.2) echo libva2 ;;
    debian:libva-drm.so.2) echo libva-drm2 ;;
    debian:libdrm.so.2) echo libdrm2 ;;
    debian:libstdc++.so.6) echo libstdc++6 ;;
    debian:libgcc_s.so.1) echo libgcc-s1 ;;
    fedora:libpulse.so.0) echo pulseaudio-libs ;;
    fedora:libasound.so.2) echo alsa-lib ;;
    fedora:libxcb.so.1 | fedora:libxcb-shm.so.0) echo libxcb ;;
    fedora:libva.so.2 | fedora:libva-drm.so.2) echo libva ;;
    fedora:libdrm.so.2) echo libdrm ;;
    fedora:libstdc++.so.6) echo libstdc++ ;;
    fedora:libgcc_s.so.1) echo libgcc ;;
    # Any other soname: dnf resolves the RPM "provides" name itself.
    fedora:*) echo "'$2()(64bit)'" ;;
  esac
}

jlp_bundle_dir() { # $1 = folder holding the ffmpeg-*-<platform>.jar; prints its extracted folder, or nothing
  local jar name platform dir
  for jar in "$1"/ffmpeg-*-linux-*.jar; do
    [ -f "$jar" ] || continue
    name=$(basename "$jar")
    platform=${name%.jar}
    platform=linux-${platform#*-linux-}
    dir="${JAVACPP_CACHE_DIR:-$HOME/.javacpp/cache}/$name/org/bytedeco/ffmpeg/$platform"
    if [ -x "$dir/ffmpeg" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 0
}

jlp_missing_system_libs() { # $1 = folder with the ffmpeg platform jar (may not exist yet), $2 = stamp file or ""
  # Prints the missing sonames.
  if [ -n "${LIVEPEER_SYSTEM_LIBS_ASSUME_MISSING:-}" ]; then
    echo "$LIVEPEER_SYSTEM_LIBS_ASSUME_MISSING"
    return 0
  fi
  [ "$(uname -s)" = Linux ] || return 0 # the jar's macOS build links only system frameworks
  local dir soname cache missing
  dir=$(jlp_bundle_dir "$1")
  if [ -n "$dir" ] && command -v ldd >/dev/null 2>&1; then
    # The stamp says this bundle had all it needs; installing or removing a library reruns ldconfig,
    # which rewrites /etc/ld.so.cache, so a stamp newer than that cache is still true.
    if [ -n "$2" ] && [ "$2" -nt /etc/ld.so.cache ] && [ "$2" -nt "$dir/ffmpeg" ] \
        && [ "$(cat "$2" 2>/dev/null)" = "$dir" ]; then
      return 0
    fi
    # The programs run with the bundle folder on LD_LIBRARY_PATH (FfmpegBinaries) and JavaCPP preloads
    # the bundled libraries by path, so what ldd still cannot find with it is what the system lacks.
    missing=$(LD_LIBRARY_PATH="$dir" ldd "$dir"/ffmpeg "$dir"/ffprobe "$dir"/libjni*.so 2>/dev/null \
      | awk '$2 == "=>" && $3 == "not" { print $1 }' | sort -u | tr '\n' ' ')
    if [ -z "$missing" ] && [ -n "$2" ]; then
      echo "$dir" >"$2" 2>/dev/null || true
    fi
    echo "$missing"
    return 0
  fi
  command -v ldconfig >/dev/null 2>&1 || command -v /sbin/ldconfig >/dev/null 2>&1 || return 0
  cache=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true) # read once, not per library
  for soname in $JLP_SYSTEM_LIBS; do
    case "$cache" in
      *$'\t'"$soname ("*) ;; # ldconfig -p lines: <tab>soname (arch) => path
      *) printf '%s ' "$soname" ;;
    esac
  done
}

# $1 = folder with the ffmpeg platform jar, $2 = who asks (for the messages), $3 = optional stamp file that
# remembers a passed ldd check. Returns 0 when nothing is missing or all was installed; otherwise prints the
# install commands and returns 1.
jlp_ensure_system_libs() {
  [ "${LIVEPEER_SYSTEM_LIBS_CHECK:-1}" = 0 ] && return 0
  local missing soname pkg debian="" fedora="" unknown=""
  missing=$(jlp_missing_system_libs "$1" "${3:-}")
  missing=$(echo $missing) # shellcheck disable=SC2086,SC2116 # one space between names
  [ -n "$missing" ] || return 0
  for soname in $missing; do
    pkg=$(jlp_lib_package debian "$soname")
    if [ -n "$pkg" ]; then
      case " $debian " in *" $pkg "*) ;; *) debian="${debian:+$debian }$pkg" ;; esac
    else
      unknown="${unknown:+$unknown }$soname"
    fi
    pkg=$(jlp_lib_package fedora "$soname")
    case " $fedora " in *" $pkg "*) ;; *) fedora="${fedora:+$fedora }$pkg" ;; esac
  done
  echo "$2: the bundled FFmpeg needs system libraries that are missing: $missing" >&2
  if [ -z "$unknown" ] && [ -n "$debian" ] && [ -z "${LIVEPEER_SYSTEM_LIBS_ASSUME_MISSING:-}" ] \
      && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$2: installing them with apt-get (packages $debian)..." >&2
    # shellcheck disable=SC2086 # one word per package
    if (export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq $debian >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $debian >/dev/null; }) >&2; then
      missing=$(jlp_missing_system_libs "$1" "${3:-}") # the packages may be there and the library still not
      missing=$(echo $missing) # shellcheck disable=SC2086,SC2116
      [ -n "$missing" ] || return 0
      echo "$2: still missing after apt-get: $missing" >&2
    else
      echo "$2: apt-get could not install them." >&2
    fi
  fi
  echo "  Install them and run again:" >&2
  [ -n "$debian" ] && echo "    Debian/Ubuntu: sudo apt-get install $debian" >&2
  [ -n "$unknown" ] && echo "    Debian/Ubuntu: find the package of $unknown with: apt-file search <name>" >&2
  echo "    Fedora:        sudo dnf install $fedora" >&2
  echo "  (LIVEPEER_SYSTEM_LIBS_CHECK=0 skips this check.)" >&2
  return 1
}
