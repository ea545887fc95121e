# polymeter-web (docs/web.md): the status page's server and its front end.
# Included by daemon/daemon.mk.
#
#   make web        build/daemon/polymeter-web and the front end in build/web/ (npm ci, esbuild)
#   make web-asan   build/daemon-asan/polymeter-web (ASan + UBSan, for tests/web/run)

WEB_SRC  := $(sort $(wildcard daemon/views/web/*.c)) daemon/common/log.c
WEB_PKGS := libsystemd libmicrohttpd jansson inih
WEB_UI   := daemon/views/web/ui
WEB_DIST := $(BUILD)/web

.PHONY: web web-asan web-ui web-install

web: $(BUILD)/daemon/polymeter-web web-ui
web-asan: $(BUILD)/daemon-asan/polymeter-web web-ui

$(BUILD)/daemon/polymeter-web: $(call objs,rel,$(WEB_SRC))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_REL) -o $@ $^ $$(pkg-config --libs $(WEB_PKGS))

$(BUILD)/daemon-asan/polymeter-web: $(call objs,asan,$(WEB_SRC))
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs $(WEB_PKGS))

# The npm packages exactly as package-lock.json has them (npm ci, offline once cached), then
# the bundle: nothing is fetched when the page runs.
$(WEB_UI)/node_modules/.package-lock.json: $(WEB_UI)/package.json $(WEB_UI)/package-lock.json
	cd $(WEB_UI) && npm ci --no-audit --no-fund --loglevel=error

web-ui: $(WEB_UI)/node_modules/.package-lock.json
	cd $(WEB_UI) && node build.mjs $(WEB_DIST)

WEBROOTDIR ?= /usr/share/polymeter/web

web-install: web
	install -D -m 0755 $(BUILD)/daemon/polymeter-web $(DESTDIR)$(BINDIR)/polymeter-web
	install -d $(DESTDIR)$(WEBROOTDIR)/assets
	install -m 0644 $(WEB_DIST)/index.html $(DESTDIR)$(WEBROOTDIR)/index.html
	install -m 0644 $(WEB_DIST)/assets/* $(DESTDIR)$(WEBROOTDIR)/assets/
	install -D -m 0644 daemon/dist/polymeter-web.service \
		$(DESTDIR)$(UNITDIR)/polymeter-web.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/polymeter/web.conf ] || \
		install -D -m 0644 daemon/dist/web.conf.example \
			$(DESTDIR)$(SYSCONFDIR)/polymeter/web.conf
