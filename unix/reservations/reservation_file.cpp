// SPDX-License-Identifier: LGPL-2.1-or-later
/* Creating and examining the store file; the rules are in reservation_file.h. */
#include "reservation_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "reservation_errors.h"
#include "reservation_schema.h"
#include "reservation_rules.h"

namespace iphlp {

namespace {

std::string parent_dir(const std::string &path)
{
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

uint32_t open_failed(const std::string &path, const std::string &reason)
{
    report_store(path, reason);
    return WIN_ERROR_OPEN_FAILED;
}

/* The owner's personal group (user private groups: Debian's and Fedora's adduser give each user a
 * group of the same name, and with umask 002 a prefix is then group-writable): its name is the
 * user's, its gid the user's primary one, and it lists no other member. */
bool personal_group(uid_t owner, gid_t gid)
{
    struct passwd pw, *user = nullptr;
    struct group gr, *group = nullptr;
    char pw_buf[4096], gr_buf[16384];
    if (getpwuid_r(owner, &pw, pw_buf, sizeof(pw_buf), &user) != 0 || !user || user->pw_gid != gid) return false;
    if (getgrgid_r(gid, &gr, gr_buf, sizeof(gr_buf), &group) != 0 || !group) return false;
    if (strcmp(group->gr_name, user->pw_name) != 0) return false;
    for (char **member = group->gr_mem; *member; member++)
        if (strcmp(*member, user->pw_name) != 0) return false;
    return true;
}

/* The store's directory must be one no other user can write: owned by this user (or root, or
 * any user when we are root), not writable by others, and writable by its group only when that
 * is the owner's personal group. Otherwise another user could plant or swap the store or its
 * -wal, -shm and -journal files, and lock them to stall every call (SQLite waits for a lock it
 * sees held). The directory is checked, never changed: it is the user's (a Wine prefix). */
uint32_t check_directory(const std::string &path)
{
    const std::string dir = parent_dir(path);
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) return WIN_NO_ERROR; /* inspect_path() says what is wrong */
    const uid_t me = geteuid();
    const bool owner_ok = st.st_uid == me || st.st_uid == 0 || me == 0;
    const bool others_write = (st.st_mode & S_IWOTH) != 0;
    const bool group_write = (st.st_mode & S_IWGRP) != 0 && !personal_group(st.st_uid, st.st_gid);
    if (owner_ok && !others_write && !group_write) return WIN_NO_ERROR;
    char mode[8];
    snprintf(mode, sizeof(mode), "%04o", unsigned(st.st_mode & 07777));
    report_store(path, std::string("refusing to use it: its directory ") + dir + " (mode " + mode + ", uid " +
                           std::to_string(st.st_uid) + ") can be written by other users; make it private (chmod go-w " +
                           dir + ") or set IPHLP_RESERVATION_DB to a path in a private directory");
    return WIN_ERROR_ACCESS_DENIED;
}

/* Makes the store and whatever SQLite keeps beside it 0600: stores made before this rule were
 * 0644, and another user who can open the -shm file can hold its lock bytes and stall every
 * call. SQLite creates -wal, -shm and -journal with the main file's mode, so this holds for
 * them from now on. Only the owner (or root) can change a mode; another user's store is left
 * for its owner's next call. */
uint32_t make_private(const std::string &path)
{
    const uid_t me = geteuid();
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
    {
        const std::string file = path + suffix;
        int fd = open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue; /* absent, or not ours to open: SQLite reports what matters */
        struct stat st;
        bool ok = fstat(fd, &st) == 0;
        if (ok && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 && (st.st_uid == me || me == 0) &&
            fchmod(fd, st.st_mode & 0600) != 0)
            ok = false;
        int err = errno;
        close(fd);
        if (!ok) return open_failed(file, std::string("cannot make it private (chmod 0600): ") + strerror(err));
    }
    return WIN_NO_ERROR;
}

/* empty: the store must be created (path absent, or a 0-byte file). */
uint32_t inspect_path(const std::string &path, bool &empty)
{
    if (path.empty()) return open_failed("(none)", "no path configured");
    /* A relative path would give each working directory a store of its own. */
    if (path[0] != '/')
        return open_failed(path, "the path is relative; set an absolute IPHLP_RESERVATION_DB or WINEPREFIX");
    struct stat st;
    if (stat(path.c_str(), &st) == 0)
    {
        if (S_ISDIR(st.st_mode)) return open_failed(path, "cannot open: it is a directory");
        if (!S_ISREG(st.st_mode)) return open_failed(path, "cannot open: not a regular file");
        empty = st.st_size == 0;
        return WIN_NO_ERROR;
    }
    if (errno != ENOENT) return open_failed(path, std::string("cannot open: ") + strerror(errno));
    std::string dir = parent_dir(path);
    if (stat(dir.c_str(), &st) != 0)
        return open_failed(path, "cannot create it: directory " + dir + ": " + strerror(errno));
    if (!S_ISDIR(st.st_mode)) return open_failed(path, "cannot create it: " + dir + " is not a directory");
    empty = true;
    return WIN_NO_ERROR;
}

void remove_sqlite_files(const std::string &path)
{
    for (const char *suffix : {"", "-journal", "-wal", "-shm"}) unlink((path + suffix).c_str());
}

/* Builds a complete store at tmp. A rollback journal while building (tmp is private), then
 * WAL, recorded in the header, before it is published. */
uint32_t build_store(const std::string &tmp, const std::string &path)
{
    /* Made 0600 first: SQLite would create it 0644, and gives its journal the file's mode. */
    int fd = open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return open_failed(path, std::string("cannot create it: ") + tmp + ": " + strerror(errno));
    close(fd);
    sqlite3 *db = nullptr;
    int rc = sqlite3_open_v2(tmp.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "PRAGMA synchronous=FULL; BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) rc = create_schema(db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    uint32_t code = rc == SQLITE_OK ? WIN_NO_ERROR : sqlite_failure(db, rc, path, "cannot create it");
    sqlite3_close(db); /* the WAL is still empty: nothing left behind in tmp-wal */
    return code;
}

/* Makes a rename durable, not only the renamed file's contents. */
void sync_dir(const std::string &dir)
{
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
    {
        fsync(fd);
        close(fd);
    }
}

/* Builds the store beside path and renames it over the empty placeholder at path. */
uint32_t create_store(const std::string &path)
{
    /* O_NOFOLLOW: a dangling symlink at the path (planted in a world-writable directory) must
     * not make us create its target, wherever that is. */
    int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ELOOP) return open_failed(path, "cannot create it: it is a symbolic link to a missing file");
    if (fd < 0) return open_failed(path, std::string("cannot create it: ") + strerror(errno));
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
    {}
    /* Under the lock: is the placeholder still empty and still the file at path? If not,
     * another process has created the store meanwhile, and the caller looks again. */
    struct stat held, now;
    uint32_t code = WIN_NO_ERROR;
    if (fstat(fd, &held) == 0 && held.st_size == 0 && stat(path.c_str(), &now) == 0 && now.st_dev == held.st_dev &&
        now.st_ino == held.st_ino)
    {
        const std::string tmp = path + ".init";
        remove_sqlite_files(tmp); /* left by a builder that was killed; we hold the lock */
        code = build_store(tmp, path);
        if (code == WIN_NO_ERROR && rename(tmp.c_str(), path.c_str()) != 0)
            code = open_failed(path, std::string("cannot create it: rename: ") + strerror(errno));
        if (code != WIN_NO_ERROR)
            remove_sqlite_files(tmp);
        else
            sync_dir(parent_dir(path));
    }
    close(fd); /* releases the lock */
    return code;
}

/* Our application id in the SQLite header, read without SQLite. */
uint32_t check_header(const std::string &path)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return open_failed(path, std::string("cannot open: ") + strerror(errno));
    unsigned char header[100];
    ssize_t n;
    do n = read(fd, header, sizeof(header));
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n != ssize_t(sizeof(header)) || memcmp(header, "SQLite format 3", 16) != 0)
    {
        report_store(path, "not a SQLite database; leaving it untouched");
        return WIN_ERROR_FILE_CORRUPT;
    }
    uint32_t app_id = uint32_t(header[68]) << 24 | uint32_t(header[69]) << 16 | uint32_t(header[70]) << 8 | header[71];
    if (app_id != STORE_APPLICATION_ID)
    {
        report_store(path, "a database of another program, not a port reservation store; leaving it untouched");
        return WIN_ERROR_FILE_CORRUPT;
    }
    return WIN_NO_ERROR;
}

uint32_t check_read_only(const std::string &path, bool &validated)
{
    validated = false;
    sqlite3 *db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    uint32_t code = WIN_NO_ERROR;
    if (rc == SQLITE_OK)
    {
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK)
    {
        code = check_schema(db, path);
        validated = code == WIN_NO_ERROR;
    }
    else if (rc == SQLITE_READONLY_DIRECTORY || rc == SQLITE_READONLY_CANTINIT)
        /* A WAL database needs its -shm file, which only a writer of the directory can create. */
        code = open_failed(path, "cannot open: its -shm file is missing and this user cannot create it");
    else if (rc != SQLITE_READONLY_ROLLBACK) /* see prepare_store_file() */
        code = sqlite_failure(db, rc, path, "cannot open");
    sqlite3_close(db);
    return code;
}

} // namespace

uint32_t prepare_store_file(const std::string &path, bool &validated)
{
    /* Normally one pass creates and the next finds the store; a third covers a placeholder
     * that another process replaced while we waited for its lock. */
    for (int attempt = 0; attempt < 3; attempt++)
    {
        bool empty = false;
        uint32_t code = inspect_path(path, empty);
        if (code == WIN_NO_ERROR) code = check_directory(path);
        if (code == WIN_NO_ERROR && !empty)
        {
            /* Our application id first (a foreign file is never touched, not even its mode),
             * then private modes before SQLite opens anything: it would create a missing -shm
             * with the store's mode, and a descriptor opened meanwhile outlives a chmod. */
            code = check_header(path);
            if (code == WIN_NO_ERROR) code = make_private(path);
            return code == WIN_NO_ERROR ? check_read_only(path, validated) : code;
        }
        if (code == WIN_NO_ERROR) code = create_store(path);
        if (code != WIN_NO_ERROR) return code;
    }
    return open_failed(path, "cannot create it: the file keeps changing");
}

} // namespace iphlp
