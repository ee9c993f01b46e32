/* obd-row.h — a list row with a title, a subtitle and widgets around them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What AdwActionRow shows in a boxed list, laid out by one GtkGrid: its
 * nested boxes measure every wrapping label at width after width when a
 * page is first shown, which made the first frame of a page of rows cost
 * three times what the same labels cost in a grid.  Children of type
 * "prefix" and "suffix" in a template go before and after the text.  A
 * preferences row, so an AdwPreferencesGroup lists it, by its "title"
 * (always plain text: "use-markup" is off).
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OBD_TYPE_ROW (obd_row_get_type ())
G_DECLARE_DERIVABLE_TYPE (ObdRow, obd_row, OBD, ROW, AdwPreferencesRow)

struct _ObdRowClass
{
  AdwPreferencesRowClass parent_class;

  gpointer padding[4];
};

/* Properties: "title" (AdwPreferencesRow's), "subtitle" (hidden while
 * empty), "expanded" (the details are shown; activating the row toggles
 * it), "title-lines" and
 * "subtitle-lines" (0: wrap without limit; N: at most N lines, then an
 * ellipsis), "activatable-widget" (activating the row activates it). */
GtkWidget  *obd_row_new                    (void);

const char *obd_row_get_title              (ObdRow     *self);
void        obd_row_set_title              (ObdRow     *self,
                                            const char *title);
const char *obd_row_get_subtitle           (ObdRow     *self);
void        obd_row_set_subtitle           (ObdRow     *self,
                                            const char *subtitle);
void        obd_row_set_title_lines        (ObdRow     *self,
                                            int         lines);
void        obd_row_set_subtitle_lines     (ObdRow     *self,
                                            int         lines);
void        obd_row_add_prefix             (ObdRow     *self,
                                            GtkWidget  *widget);
void        obd_row_add_suffix             (ObdRow     *self,
                                            GtkWidget  *widget);
void        obd_row_set_activatable_widget (ObdRow     *self,
                                            GtkWidget  *widget);
/* A widget under the text, shown while the row is expanded (as
 * AdwExpanderRow, without measuring it while closed): a template child of
 * type "details".  Once. */
void        obd_row_set_details            (ObdRow     *self,
                                            GtkWidget  *details);
gboolean    obd_row_get_expanded           (ObdRow     *self);
void        obd_row_set_expanded           (ObdRow     *self,
                                            gboolean    expanded);

G_END_DECLS
