# The README's quick start: `make demo` runs the main job, `make test` runs every test,
# then the chaos drill suite (`npm run drills`: every drill in drills/scenarios/).
# Both install what is missing first (npm packages here; the stack provisions itself).
.PHONY: demo test install

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: node_modules/.installed

demo: install
	./bin/ticketctl demo

test: install
	npm test
	npm run drills
