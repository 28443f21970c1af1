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

-- GET /api/audit: in the order of the trail, seq (V3 made it unique: vdr_audit_seq); the filters
-- type, resizeId and disk with seq; from/to keep the index on at (V1)
create index vdr_audit_type_seq on vdr_audit_event (type, seq);
create index vdr_audit_resize_seq on vdr_audit_event (resize_id, seq);
drop index if exists vdr_audit_disk;
create index vdr_audit_disk_seq on vdr_audit_event (disk, seq);
