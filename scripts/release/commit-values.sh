#!/usr/bin/env bash
# Commits the image bump of values-staging.yaml and pushes it to main: the GitOps
# deploy (Argo CD syncs staging from main). Retries on a main that moved meanwhile.
#   scripts/release/commit-values.sh TAG
set -euo pipefail
tag=${1:?usage: commit-values.sh TAG}
cd "$(dirname "$0")/../.."
file=deploy/helm/shop/values-staging.yaml
git add "$file"
git diff --cached --quiet && { echo "values-staging.yaml already runs $tag"; exit 0; }
git -c user.name="${GIT_AUTHOR_NAME:-threadline-release}" \
    -c user.email="${GIT_AUTHOR_EMAIL:-release@users.noreply.github.com}" \
    commit --quiet -m "Release $tag to staging" -m "Image digest pinned in $file by release.yml."
for attempt in 1 2 3; do
  git push --quiet origin HEAD:main && exit 0
  echo "main moved; rebasing the release commit (attempt $attempt)" >&2
  git pull --quiet --rebase origin main
done
exit 1
