-- what the guest step found in each VM's guest (step 7 of process.md)
create table vdr_resize_guest (
    resize_id   varchar(64)   not null,
    vm_uuid     varchar(64)   not null,
    vm_name     varchar(255),
    status      varchar(32)   not null,
    guest_size  bigint,
    device      varchar(64),
    fs_device   varchar(255),
    fs_type     varchar(32),
    fs_mount    varchar(1024),
    fs_before   bigint,
    fs_after    bigint,
    fs_status   varchar(32),
    detail      varchar(2000),
    primary key (resize_id, vm_uuid)
);
