# ferry build.  Use ./build.sh; this Makefile is what it drives.
#
#   make O=build/rel                 release build (no test hooks)
#   make O=build/test HOOKS=1        test build: fault points compiled in
#   make O=build/asan HOOKS=1 SAN=1  ASan + UBSan
#
# Each folder is one static library made of every .c in it except main.c;
# the tools and the unit tests link those archives (never copies of their
# sources).  Dependencies point one way:
#   core <- formats <- verify <- {mkmedia, applymedia}
O	?= build/rel
CC	?= cc
PKGS	:= gpgme blkid libzstd jansson libgcrypt libdivsufsort liblzma
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lgcrypt -lunistring
PREFIX	?= /usr/local
VERSION	:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	   -Wno-format-nonliteral -fno-strict-aliasing
# gcc warns when snprintf may truncate; ferry's messages are bounded on
# purpose.  clang has no such warning (and no such option).
ifneq ($(findstring clang,$(CC)),clang)
CFLAGS	+= -Wno-format-truncation
endif
CPPFLAGS += -I. $(PKG_CFLAGS) -D_GNU_SOURCE -DFERRY_VERSION='"$(VERSION)"' \
	   -DFERRY_LOCALEDIR='"$(PREFIX)/share/locale"'
ifeq ($(HOOKS),1)
CPPFLAGS += -DFERRY_TEST_HOOKS
endif
ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif
LDLIBS	+= $(PKG_LIBS) -lpthread
# Each program records only the libraries it calls: applymedia, which
# applies deltas but never makes them, does not load the encoder's
# libdivsufsort and liblzma (formats/delta_dec.c; 0.5 ms a run).
LDFLAGS	+= -Wl,--as-needed
# libcurl is opened at run time by formats/curl_dl.c, only for HTTP
# sources, and libarchive by formats/archive_dl.c, only when an archive is
# first created: their headers, not their libraries.  Nothing here links
# -larchive (nor bench/, tests/compat, tests/fuzz): formats/archive_dl.c
# defines the archive_* functions.
CPPFLAGS += $(shell pkg-config --cflags libcurl libarchive)
LDLIBS	+= -ldl
# ferry's private HTTP(S)-only libcurl (dist/curl/build-private.sh, which
# build.sh runs into build/curl): when it was built, it is copied beside
# the tools, where formats/curl_dl.c looks first, and installed as
# PREFIX/lib/ferry/libcurl.so.4.  Without it the tools load the system's
# libcurl.so.4.
CURL_PRIVATE ?= build/curl/lib/libcurl.so.4
PRIVATE_CURL := $(if $(wildcard $(CURL_PRIVATE)),$(O)/libcurl.so.4)

LIBDIRS	:= core formats verify mkmedia applymedia
srcs	= $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
objs	= $(patsubst %.c,$(O)/obj/%.o,$(call srcs,$(1)))
LIBS	:= $(O)/libapplymedia.a $(O)/libmkmedia.a $(O)/libverify.a \
	   $(O)/libformats.a $(O)/libcore.a
TOOLS	:= $(O)/mkmedia $(O)/applymedia $(O)/verifymedia
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNITS	:= $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/lib/*.c)
HELPERS	:= $(patsubst tests/lib/%.c,$(O)/tests/%,$(HELPER_SRCS))
MOS	:= $(patsubst po/%.po,$(O)/locale/%/LC_MESSAGES/ferry.mo,$(wildcard po/*.po))

all: $(TOOLS) $(UNITS) $(HELPERS) $(MOS) $(PRIVATE_CURL)

$(O)/libcurl.so.4: $(CURL_PRIVATE)
	@mkdir -p $(dir $@)
	install -m 0644 $< $@

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

define lib_rule
$(O)/lib$(1).a: $(call objs,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && $(AR) rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call lib_rule,$(d))))

$(O)/mkmedia: $(O)/obj/mkmedia/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)
$(O)/applymedia: $(O)/obj/applymedia/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)
$(O)/verifymedia: $(O)/obj/verify/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

$(O)/tests/test_%: $(O)/obj/tests/unit/test_%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS) -lcmocka
$(O)/tests/%: $(O)/obj/tests/lib/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

$(O)/locale/%/LC_MESSAGES/ferry.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# make install [PREFIX=/usr/local] [DESTDIR=] [SYSTEMDUNITDIR=...]
# The tools find their catalogue from their own location
# (BINDIR/../share/locale, core/localedir.c), so one build installs
# correctly under any PREFIX; the compiled-in PREFIX is only the fallback.
# Units: dist/systemd/NAME.in with @BINDIR@ replaced.  To ship another
# unit, add its name to DIST_UNITS (the Debian package takes every unit
# installed here: dist/debian/ferry-client.install).  udev rules:
# dist/udev/NAME, listed in DIST_RULES, into UDEVRULESDIR.
DIST_UNITS	:= ferry-apply.service ferry-apply.timer ferry-auto@.service
BINDIR		 = $(PREFIX)/bin
MANDIR		 = $(PREFIX)/share/man
LOCALEDIR	 = $(PREFIX)/share/locale
DOCDIR		 = $(PREFIX)/share/doc/ferry
FERRYLIBDIR	 = $(PREFIX)/lib/ferry
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR	?= $(PREFIX)/lib/udev/rules.d
DIST_RULES	:= 69-ferry-auto.rules
INSTALLED = $(addprefix $(BINDIR)/,$(notdir $(TOOLS))) \
	$(addprefix $(MANDIR)/man1/,$(notdir $(wildcard docs/man/*.1))) \
	$(addprefix $(MANDIR)/man5/,$(notdir $(wildcard docs/man/*.5))) \
	$(patsubst $(O)/locale/%,$(LOCALEDIR)/%,$(MOS)) \
	$(addprefix $(SYSTEMDUNITDIR)/,$(DIST_UNITS)) \
	$(addprefix $(UDEVRULESDIR)/,$(DIST_RULES)) \
	$(DOCDIR)/examples/client.conf.example \
	$(FERRYLIBDIR)/libcurl.so.4

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSTEMDUNITDIR) \
	    $(DESTDIR)$(UDEVRULESDIR) \
	    $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	install -m 0644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/man/*.5 $(DESTDIR)$(MANDIR)/man5/
	for mo in $(MOS); do l=$${mo#$(O)/locale/}; \
	    install -D -m 0644 $$mo $(DESTDIR)$(LOCALEDIR)/$$l; done
	for u in $(DIST_UNITS); do \
	    sed 's|@BINDIR@|$(BINDIR)|g' dist/systemd/$$u.in \
	        >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	    chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
	    mv $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp \
	        $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; done
	install -m 0644 $(addprefix dist/udev/,$(DIST_RULES)) \
	    $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0644 dist/client.conf.example $(DESTDIR)$(DOCDIR)/examples/
ifneq ($(PRIVATE_CURL),)
	install -d $(DESTDIR)$(FERRYLIBDIR)
	install -m 0644 $(PRIVATE_CURL) $(DESTDIR)$(FERRYLIBDIR)/libcurl.so.4
endif

# Removes exactly what install put there, then the folders that only ferry
# uses (if empty); shared folders (bin, man1, ...) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	rmdir $(DESTDIR)$(FERRYLIBDIR) 2>/dev/null || true

clean:
	rm -rf build

.PHONY: all install uninstall clean
.SECONDARY:
-include $(shell find $(O) -name '*.d' 2>/dev/null)
