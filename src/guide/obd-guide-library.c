/* obd-guide-library.c — every guide the program knows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "obd-guide-library.h"

#define BUILTIN_GUIDES RESOURCE_PATH "/guide/guides"

struct _ObdGuideLibrary
{
  GObject     parent_instance;

  GPtrArray  *guides;    /* ObdGuide, sorted by id */
  GPtrArray  *problems;  /* ObdGuideProblem */
};

static void obd_guide_library_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ObdGuideLibrary, obd_guide_library, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      obd_guide_library_list_model_init))

void
obd_guide_problem_free (ObdGuideProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->filename);
  g_free (problem->message);
  g_free (problem);
}

static GType
obd_guide_library_get_item_type (GListModel *model)
{
  return OBD_TYPE_GUIDE;
}

static guint
obd_guide_library_get_n_items (GListModel *model)
{
  return OBD_GUIDE_LIBRARY (model)->guides->len;
}

static gpointer
obd_guide_library_get_item (GListModel *model,
                            guint       position)
{
  ObdGuideLibrary *self = OBD_GUIDE_LIBRARY (model);

  if (position >= self->guides->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->guides, position));
}

static void
obd_guide_library_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = obd_guide_library_get_item_type;
  iface->get_n_items = obd_guide_library_get_n_items;
  iface->get_item = obd_guide_library_get_item;
}

static void
obd_guide_library_finalize (GObject *object)
{
  ObdGuideLibrary *self = OBD_GUIDE_LIBRARY (object);

  g_clear_pointer (&self->guides, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (obd_guide_library_parent_class)->finalize (object);
}

static void
obd_guide_library_class_init (ObdGuideLibraryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = obd_guide_library_finalize;
}

static void
obd_guide_library_init (ObdGuideLibrary *self)
{
  self->guides = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_guide_problem_free);
}

ObdGuideLibrary *
obd_guide_library_new (void)
{
  return g_object_new (OBD_TYPE_GUIDE_LIBRARY, NULL);
}

static void
add_problem (ObdGuideLibrary *self,
             const char      *filename,
             guint            line,
             const char      *message)
{
  ObdGuideProblem *problem = g_new0 (ObdGuideProblem, 1);

  problem->filename = g_strdup (filename);
  problem->line = line;
  problem->message = g_strdup (message);
  g_ptr_array_add (self->problems, problem);
  g_warning ("Guide problem: %s:%u: %s", filename, line, message);
}

/* The parser's messages are "FILE:LINE: message". */
static void
add_parse_problem (ObdGuideLibrary *self,
                   const char      *filename,
                   const GError    *error)
{
  const char *rest = error->message;
  guint64 line = 0;

  if (g_str_has_prefix (rest, filename) && rest[strlen (filename)] == ':')
    {
      char *end = NULL;

      rest += strlen (filename) + 1;
      line = g_ascii_strtoull (rest, &end, 10);
      if (end != rest && end[0] == ':' && end[1] == ' ')
        rest = end + 2;
      else
        line = 0;
    }
  add_problem (self, filename, (guint) MIN (line, G_MAXUINT), rest);
}

static guint
find_index (ObdGuideLibrary *self,
            const char      *id,
            gboolean        *found)
{
  guint lo = 0, hi = self->guides->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      int cmp = g_strcmp0 (obd_guide_get_id (g_ptr_array_index (self->guides, mid)), id);

      if (cmp == 0)
        {
          *found = TRUE;
          return mid;
        }
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = FALSE;
  return lo;
}

/* Adds guide; one with the same id from an earlier source is replaced,
 * one from the same source is a mistake. */
static gboolean
add_guide (ObdGuideLibrary *self,
           ObdGuide        *guide,
           GHashTable      *ids_of_source)
{
  gboolean found;
  guint index = find_index (self, obd_guide_get_id (guide), &found);

  if (ids_of_source != NULL && g_hash_table_contains (ids_of_source, obd_guide_get_id (guide)))
    {
      g_autofree char *message =
        g_strdup_printf (_("another guide in this folder already has the id “%s”"),
                         obd_guide_get_id (guide));

      add_problem (self, obd_guide_get_filename (guide), 0, message);
      return FALSE;
    }
  if (ids_of_source != NULL)
    g_hash_table_add (ids_of_source, g_strdup (obd_guide_get_id (guide)));

  if (found)
    {
      g_debug ("%s replaces the guide %s", obd_guide_get_filename (guide), obd_guide_get_id (guide));
      ObdGuide *old = g_ptr_array_index (self->guides, index);

      g_ptr_array_index (self->guides, index) = g_object_ref (guide);
      g_object_unref (old);
      g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
    }
  else
    {
      g_ptr_array_insert (self->guides, index, g_object_ref (guide));
      g_list_model_items_changed (G_LIST_MODEL (self), index, 0, 1);
    }
  return TRUE;
}

static gboolean
load_data (ObdGuideLibrary *self,
           const char      *data,
           gsize            len,
           const char      *filename,
           GHashTable      *ids_of_source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdGuide) guide = obd_guide_new_from_data (data, len, filename, &error);

  if (guide == NULL)
    {
      add_parse_problem (self, filename, error);
      return FALSE;
    }
  return add_guide (self, guide, ids_of_source);
}

gboolean
obd_guide_library_add_data (ObdGuideLibrary *self,
                            const char      *data,
                            gsize            len,
                            const char      *filename)
{
  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  return load_data (self, data, len, filename, NULL);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

gboolean
obd_guide_library_add_resource_dir (ObdGuideLibrary  *self,
                                    const char       *path,
                                    GError          **error)
{
  g_auto(GStrv) names = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), FALSE);

  names = g_resources_enumerate_children (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;
  qsort (names, g_strv_length (names), sizeof (char *), compare_strings);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *full = g_build_path ("/", path, names[i], NULL);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize len;
      const char *data;

      if (!g_str_has_suffix (names[i], ".xml"))
        continue;
      bytes = g_resources_lookup_data (full, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
      if (bytes == NULL)
        {
          add_problem (self, full, 0, local_error->message);
          continue;
        }
      data = g_bytes_get_data (bytes, &len);
      load_data (self, data, len, names[i], ids);
    }
  return TRUE;
}

gboolean
obd_guide_library_add_directory (ObdGuideLibrary  *self,
                                 GFile            *dir,
                                 GCancellable     *cancellable,
                                 GError          **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) local_error = NULL;
  GFileInfo *info;

  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (dir), FALSE);

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (children == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  while ((info = g_file_enumerator_next_file (children, cancellable, &local_error)) != NULL)
    {
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          g_str_has_suffix (g_file_info_get_name (info), ".xml"))
        g_ptr_array_add (names, g_strdup (g_file_info_get_name (info)));
      g_object_unref (info);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GFile) file = g_file_get_child (dir, g_ptr_array_index (names, i));
      g_autofree char *path = g_file_get_parse_name (file);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_load_contents (file, cancellable, &contents, &len, NULL, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          add_problem (self, path, 0, local_error->message);
          g_clear_error (&local_error);
          continue;
        }
      load_data (self, contents, len, path, ids);
    }
  return TRUE;
}

void
obd_guide_library_check_references (ObdGuideLibrary *self)
{
  g_return_if_fail (OBD_IS_GUIDE_LIBRARY (self));

  for (guint i = 0; i < self->guides->len; i++)
    {
      ObdGuide *guide = g_ptr_array_index (self->guides, i);

      for (guint f = 0; f < obd_guide_get_n_findings (guide); f++)
        {
          const ObdGuideFinding *finding = obd_guide_get_finding (guide, f);

          if (finding->refer_guide != NULL &&
              obd_guide_library_lookup (self, finding->refer_guide) == NULL)
            {
              g_autofree char *message =
                g_strdup_printf (_("the finding “%s” refers to the guide “%s”, which is not "
                                   "loaded"), finding->id, finding->refer_guide);

              add_problem (self, obd_guide_get_filename (guide), finding->line, message);
            }
        }
    }
}

ObdGuideLibrary *
obd_guide_library_new_default (void)
{
  ObdGuideLibrary *self = obd_guide_library_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "obd2-diagnostics", "guides",
                                            NULL);
  g_autoptr(GFile) user_dir = g_file_new_for_path (user);
  const char *extra = g_getenv ("OBD2_GUIDE_PATH");

  /* The GResource registers itself when the program starts (its
   * constructor); the schema lookup links it in. */
  if (!obd_guide_library_add_resource_dir (self, BUILTIN_GUIDES, &error))
    {
      add_problem (self, BUILTIN_GUIDES, 0, error->message);
      g_clear_error (&error);
    }
  if (!obd_guide_library_add_directory (self, user_dir, NULL, &error))
    {
      add_problem (self, user, 0, error->message);
      g_clear_error (&error);
    }
  if (extra != NULL && *extra != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (extra, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; dirs[i] != NULL; i++)
        {
          g_autoptr(GFile) dir = NULL;

          if (*dirs[i] == '\0')
            continue;
          dir = g_file_new_for_path (dirs[i]);
          if (!obd_guide_library_add_directory (self, dir, NULL, &error))
            {
              add_problem (self, dirs[i], 0, error->message);
              g_clear_error (&error);
            }
        }
    }
  obd_guide_library_check_references (self);
  return self;
}

GPtrArray *
obd_guide_library_get_problems (ObdGuideLibrary *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), NULL);
  return self->problems;
}

ObdGuide *
obd_guide_library_lookup (ObdGuideLibrary *self,
                          const char      *id)
{
  gboolean found;
  guint index;

  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), NULL);

  if (id == NULL)
    return NULL;
  index = find_index (self, id, &found);
  return found ? g_ptr_array_index (self->guides, index) : NULL;
}

typedef struct
{
  ObdGuide *guide;
  guint     fit;
} Match;

static int
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const Match *ma = a, *mb = b;

  if (ma->fit != mb->fit)
    return ma->fit > mb->fit ? -1 : 1;
  return g_strcmp0 (obd_guide_get_id (ma->guide), obd_guide_get_id (mb->guide));
}

GPtrArray *
obd_guide_library_find_for_code (ObdGuideLibrary *self,
                                 const char      *code)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (Match));
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), out);

  for (guint i = 0; i < self->guides->len; i++)
    {
      Match m = { g_ptr_array_index (self->guides, i), 0 };

      m.fit = obd_guide_match_code (m.guide, code);
      if (m.fit > 0)
        g_array_append_val (matches, m);
    }
  g_array_sort (matches, compare_matches);
  for (guint i = 0; i < matches->len; i++)
    g_ptr_array_add (out, g_object_ref (g_array_index (matches, Match, i).guide));
  return out;
}

static int
compare_titles (gconstpointer a,
                gconstpointer b)
{
  return g_utf8_collate (obd_guide_gettext (obd_guide_get_title (*(ObdGuide **) a)),
                         obd_guide_gettext (obd_guide_get_title (*(ObdGuide **) b)));
}

GPtrArray *
obd_guide_library_find_for_symptom (ObdGuideLibrary *self,
                                    const char      *symptom)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (self), out);

  for (guint i = 0; i < self->guides->len; i++)
    if (obd_guide_has_symptom (g_ptr_array_index (self->guides, i), symptom))
      g_ptr_array_add (out, g_object_ref (g_ptr_array_index (self->guides, i)));
  g_ptr_array_sort (out, compare_titles);
  return out;
}
