#!/usr/bin/env bash
# Validates the container set-up without a Docker engine:
#   1. docker-compose.yml parses (`docker-compose config -q`);
#   2. every path the Dockerfile COPYs, and every --from stage, exists;
#   3. every ./package the Dockerfile builds exists;
#   4. every local package those binaries import is inside a COPYed folder;
#   5. .dockerignore does not exclude a COPYed path;
#   6. the golang image matches go.mod's Go version;
#   7. the compose file's build contexts, Dockerfiles and bind mounts exist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

compose_file=${COMPOSE_FILE:-docker-compose.yml}
dockerfile=${DOCKERFILE:-Dockerfile}
failures=0
fail() { echo "check-compose: $*" >&2; failures=$((failures + 1)); }

# The compose file requires SYNC_PAYLOAD_KEY; a dummy one suffices to parse it.
export SYNC_PAYLOAD_KEY=${SYNC_PAYLOAD_KEY:-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=}
have_compose=1
if ! command -v docker-compose >/dev/null; then
  have_compose=0
  if [[ "${REQUIRE_DOCKER_COMPOSE:-0}" == 1 ]]; then
    echo "check-compose: docker-compose is not installed (apt-get install -y docker-compose)" >&2
    exit 1
  fi
  echo "check-compose: WARNING docker-compose is not installed: not validating $compose_file (CI installs it; apt-get install -y docker-compose)" >&2
fi

# 1. The compose file parses.
if ((have_compose)) && ! docker-compose -f "$compose_file" config -q; then
  fail "docker-compose config -q rejected $compose_file"
fi

# The Dockerfile's instructions with continuation lines joined.
mapfile -t instructions < <(sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$dockerfile" | grep -Ev '^[[:space:]]*(#|$)')

stages=()
copied=()
for line in "${instructions[@]}"; do
  read -r -a words <<<"$line"
  case "${words[0]^^}" in
  FROM)
    # FROM [--platform=..] image [AS name]
    for ((i = 1; i < ${#words[@]}; i++)); do
      if [[ "${words[i]^^}" == AS ]]; then stages+=("${words[i + 1]}"); fi
    done
    ;;
  COPY | ADD)
    from=""
    args=()
    for w in "${words[@]:1}"; do
      case $w in
      --from=*) from=${w#--from=} ;;
      --*) ;;
      *) args+=("$w") ;;
      esac
    done
    ((${#args[@]} >= 2)) || { fail "malformed: $line"; continue; }
    sources=("${args[@]:0:${#args[@]}-1}")
    if [[ -n "$from" ]]; then
      if [[ " ${stages[*]} " != *" $from "* && "$from" != *[:/]* ]]; then
        fail "COPY --from=$from names no earlier stage (stages: ${stages[*]})"
      fi
      continue
    fi
    for src in "${sources[@]}"; do
      src=${src#./}
      if [[ ! -e "$src" ]]; then
        fail "$dockerfile copies '$src', which does not exist"
      else
        copied+=("${src%/}")
      fi
    done
    ;;
  RUN)
    # 3. Package paths given to go build / go install.
    if [[ "$line" =~ go[[:space:]]+(build|install) ]]; then
      for w in "${words[@]}"; do
        if [[ "$w" == ./* ]]; then
          pkg=${w%/...}
          [[ -d "$pkg" ]] || fail "$dockerfile builds '$w', which does not exist"
        fi
      done
    fi
    ;;
  esac
done

# 4. Local packages the binaries import must be inside COPYed folders.
module_dir=$(pwd)
targets=()
while IFS= read -r w; do
  [[ -d "$w" ]] && targets+=("$w")
done < <(printf '%s\n' "${instructions[@]}" | grep -E '^RUN .*go (build|install)' | grep -Eo '\./[A-Za-z0-9_./-]+')
if ((${#targets[@]})); then
  while IFS= read -r dir; do
    [[ "$dir" == "$module_dir"/* ]] || continue
    rel=${dir#"$module_dir"/}
    covered=0
    for c in "${copied[@]}"; do
      if [[ "$c" == . || "$rel" == "$c" || "$rel" == "$c"/* ]]; then covered=1; break; fi
    done
    ((covered)) || fail "package ./$rel is imported by ${targets[*]} but the Dockerfile does not COPY it"
  done < <(go list -e -deps -f '{{if not .Standard}}{{.Dir}}{{end}}' "${targets[@]}" | sort -u)
fi

# 5. .dockerignore must not exclude what is COPYed (plain prefix patterns).
if [[ -f .dockerignore ]]; then
  while IFS= read -r pat; do
    pat=${pat%/}
    pat=${pat#./}
    [[ -z "$pat" || "$pat" == \#* || "$pat" == \!* ]] && continue
    for c in "${copied[@]}"; do
      # shellcheck disable=SC2053 # the pattern is a glob on purpose
      if [[ "$c" == $pat || "$c" == $pat/* ]]; then
        fail ".dockerignore pattern '$pat' excludes '$c', which the Dockerfile copies"
      fi
    done
  done <.dockerignore
fi

# 6. The build image's Go matches go.mod.
go_mod_version=$(awk '$1 == "go" {print $2; exit}' go.mod)
image_version=$(grep -Eio '^FROM[[:space:]]+golang:[0-9]+\.[0-9]+' "$dockerfile" | head -n 1 | sed 's/.*golang://')
if [[ -n "$image_version" && "${go_mod_version%.*}" != "$image_version" && "$go_mod_version" != "$image_version" ]]; then
  fail "$dockerfile builds with golang:$image_version but go.mod says go $go_mod_version"
fi

# 7. Local paths the compose file refers to.
resolved=""
((have_compose)) && resolved=$(docker-compose -f "$compose_file" config 2>/dev/null || true)
while IFS= read -r ctx; do
  [[ -d "$ctx" ]] || fail "build context $ctx does not exist"
done < <(awk '/^ *context:/ {print $2}' <<<"$resolved" | sort -u)
while IFS= read -r df; do
  [[ -f "$df" ]] || fail "dockerfile $df does not exist"
done < <(awk '/^ *dockerfile:/ {print $2}' <<<"$resolved" | sort -u)
while IFS= read -r src; do
  [[ -e "$src" ]] || fail "bind mount source $src does not exist"
done < <(awk '/^ *- type: bind/ {bind=1; next} bind && /^ *source:/ {print $2; bind=0}' <<<"$resolved" | sort -u)
while IFS= read -r mount; do
  src=${mount%%:*}
  [[ -e "$src" ]] || fail "bind mount source $src does not exist"
done < <(grep -Eo '^ *- \.{1,2}/[^ ]+' "$compose_file" | sed 's/^ *- //')

if ((failures)); then
  echo "check-compose: $failures problem(s)" >&2
  exit 1
fi
echo "check-compose: $compose_file and $dockerfile are consistent"
