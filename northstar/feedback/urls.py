"""Web routes for feedback (signed-in users)."""

from django.urls import path

from northstar.feedback import admin_views, bulk_views, views

app_name = "feedback"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bulk/", bulk_views.bulk, name="bulk"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/process/", views.item_process, name="item_process"),
    path("items/<int:item_id>/link/", views.item_link, name="item_link"),
    path("items/<int:item_id>/idea/", views.item_idea, name="item_idea"),
    path("links/<int:link_id>/delete/", views.link_delete, name="link_delete"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<str:token>/map/", views.import_map, name="import_map"),
    path("import/jobs/<int:job_id>/", views.import_job, name="import_job"),
    path("customers/", views.customers, name="customers"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("themes/", views.themes, name="themes"),
    path("themes/recluster/", views.themes_recluster, name="themes_recluster"),
    path("themes/<int:theme_id>/", views.theme_detail, name="theme_detail"),
    path("themes/<int:theme_id>/rename/", views.theme_rename, name="theme_rename"),
    path("themes/<int:theme_id>/merge/", views.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/split/", views.theme_split, name="theme_split"),
    path("themes/<int:theme_id>/pin/", views.theme_pin, name="theme_pin"),
    path("demand/", views.demand, name="demand"),
    path("portal/", admin_views.portal_admin, name="portal_admin"),
    path("portal/moderate/<str:kind>/<int:pk>/", admin_views.moderate, name="moderate"),
    path("portal/boards/new/", admin_views.board_create, name="board_create"),
    path("portal/branding/", admin_views.branding, name="portal_branding"),
    path("portal/widgets/new/", admin_views.widget_create, name="widget_create"),
    path(
        "portal/widgets/<int:site_id>/secret/", admin_views.widget_secret_rotate, name="widget_secret_rotate"
    ),
    path("portal/posts/<int:post_id>/", admin_views.post_manage, name="post_manage"),
    path("portal/posts/<int:post_id>/merge/", admin_views.post_merge, name="post_merge"),
    path("portal/changelog/new/", admin_views.changelog_create, name="changelog_create"),
    path("portal/changelog/<int:entry_id>/publish/", admin_views.changelog_publish, name="changelog_publish"),
]
