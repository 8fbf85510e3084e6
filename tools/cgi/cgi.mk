# credstore-cgi: the camera's HTTPS_CER protocol and the management page,
# a CGI program for any web server (tools/cgi/).
CGI_SRCS := tools/cgi/config.c tools/cgi/form.c tools/cgi/store.c tools/cgi/out.c \
	    tools/cgi/camera.c tools/cgi/actions.c tools/cgi/page.c tools/cgi/downloads.c
SYSCONFDIR ?= /etc
$(eval $(call program,bin/credstore-cgi,tools/cgi/main.c,$(CGI_SRCS)))
PROGRAMS += $(BUILD)/bin/credstore-cgi
$(BUILD)/bin/credstore-cgi: LDLIBS += -lcrypt
$(BUILD)/obj/tools/cgi/config.o: CFLAGS += -DCGI_CONFIG_PATH='"$(SYSCONFDIR)/credstore/cgi.conf"'
