-- Keyset paging of the lists (api-contract.md, "Paging"): an index in each list's order, alone and
-- after each filter, so that a page is an index range scan of at most limit + 1 rows however long
-- the list is. The indexes they replace were the same without the sort columns.

-- GET /api/resizes: newest first (started_at desc, id desc)
create index vdr_resize_started on vdr_resize (started_at desc, id desc);
drop index if exists vdr_resize_status;
create index vdr_resize_status_started on vdr_resize (status, started_at desc, id desc);
drop index if exists vdr_resize_disk;
create index vdr_resize_disk_started on vdr_resize (disk_path, started_at desc, id desc);
-- vm= names a VM by name or UUID
create index vdr_resize_vm_name on vdr_resize_vm (vm_name);
create index vdr_resize_vm_uuid on vdr_resize_vm (vm_uuid);

-- GET /api/audit: oldest first (at, id)
drop index if exists vdr_audit_at;
create index vdr_audit_at_id on vdr_audit_event (at, id);
drop index if exists vdr_audit_disk;
create index vdr_audit_disk_at on vdr_audit_event (disk, at, id);
create index vdr_audit_type_at on vdr_audit_event (type, at, id);
create index vdr_audit_resize_at on vdr_audit_event (resize_id, at, id);
