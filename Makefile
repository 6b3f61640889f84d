# The README's quick start: `make demo` runs the main job, `make test` runs the static
# checks, every test, the chaos drill suite (`npm run drills`: every drill in
# drills/scenarios/), then the compose deployment's tests (`npm run test:compose`). Both install what is missing first (npm packages here; the stack
# provisions itself).
.PHONY: demo test check install

# The project runs on Node.js 24 from the npm package `node` (a devDependency), but the
# machine's npm runs on the machine's Node 20, and `npm ci` there warns EBADENGINE for each
# of the ~25 packages that require Node >= 22. So the same Node 24 is bootstrapped first,
# into .bootstrap/ (git-ignored; once per version, from npm's cache after the first time),
# and `npm ci` runs under it. Its own copy in node_modules/ is what everything else runs on.
NODE_VERSION := $(shell node -p "require('./package.json').devDependencies.node")
BOOTSTRAP_BIN := .bootstrap/node-$(NODE_VERSION)/node_modules/.bin

# Its package.json allows the `node` package's install script, as the project's own does.
$(BOOTSTRAP_BIN)/node:
	rm -rf .bootstrap && mkdir -p .bootstrap/node-$(NODE_VERSION)
	echo '{ "private": true, "allowScripts": { "node": true } }' > .bootstrap/node-$(NODE_VERSION)/package.json
	npm install --prefix .bootstrap/node-$(NODE_VERSION) --no-save --no-package-lock --no-audit --no-fund node@$(NODE_VERSION)

# Order-only on the bootstrap: a new Node version changes package.json, which reinstalls.
node_modules/.installed: package.json package-lock.json | $(BOOTSTRAP_BIN)/node
	PATH="$(CURDIR)/$(BOOTSTRAP_BIN):$$PATH" npm ci --no-audit --no-fund
	touch $@

install: node_modules/.installed

demo: install
	./bin/ticketctl demo

# Static checks, and the unit tests with no network at all (a namespace of their own where
# nothing listens, not even the local stack): a test that needs a server but is not named
# *.live.test.ts fails here instead of passing by luck where a stack happens to run.
check: install
	npm run lint:deps
	npm run format:check
	npm run lint
	unshare --map-root-user --net sh -c 'ip link set lo up && npm run test:unit'

# The compose path last: it takes the local stack's ports (its global setup stops the local
# stack, brings docker-compose.yml up on a Docker engine, and takes it down at the end).
test: check
	npm test
	npm run drills
	npm run test:compose
	npm run test:testcontainers
	npm run test:secrets
